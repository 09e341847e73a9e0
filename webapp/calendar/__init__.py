"""工作日历: China's statutory holidays and 调休 working weekends (the chinese-calendar
package), with days an admin adds or overrides for a year the package does not know yet."""


def init_app(app):
    from webapp.calendar import views

    app.register_blueprint(views.bp)
